import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A user's console settings, kept across sessions and devices: for now the language of the pages. */
@Entity('console_preferences')
export class ConsolePreference {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  language: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
