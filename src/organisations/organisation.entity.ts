import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ORGANISATION_KINDS = ['enterprise', 'operator', 'authority'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** An enterprise (SME or not), a platform operator, or an authority whose officials audit. */
@Entity('organisations')
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: OrganisationKind;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh: string;

  @Column({ name: 'name_en', type: 'text', nullable: true })
  nameEn: string | null;

  /** 统一社会信用代码 (GB 32100-2015); required for enterprises. */
  @Column({ name: 'credit_code', type: 'char', length: 18, nullable: true })
  creditCode: string | null;

  @Column({ type: 'boolean', default: false })
  sme: boolean;

  /** GB/T 2260 city code. */
  @Column({ name: 'city_code', type: 'char', length: 6, nullable: true })
  cityCode: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
