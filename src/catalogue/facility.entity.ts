import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import type { ChainStage, Direction, FacilityKind } from './catalogue.constants';

/**
 * A shared facility (pilot platform, verification centre, supercomputing or intelligent-computing
 * centre) run by an operator organisation. `search_text` (a generated column with a trigram index)
 * is not mapped: only the search queries read it.
 */
@Entity('facilities')
export class Facility {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The operator organisation that runs the facility. */
  @Column({ name: 'operator_id', type: 'uuid' })
  operatorId: string;

  @ManyToOne(() => Organisation)
  @JoinColumn({ name: 'operator_id' })
  operator?: Organisation;

  @Column({ type: 'text' })
  kind: FacilityKind;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn: string;

  /** GB/T 2260 code of one of the 14 Liaoning cities. */
  @Column({ name: 'city_code', type: 'char', length: 6 })
  cityCode: string;

  @Column({ type: 'text' })
  address: string;

  @Column({ type: 'text', array: true })
  directions: Direction[];

  @Column({ type: 'text', array: true })
  stages: ChainStage[];

  /** IANA zone of the facility; opening hours are local times in it. */
  @Column({ name: 'time_zone', type: 'text', default: 'Asia/Shanghai' })
  timeZone: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'text', default: '' })
  contact: string;

  /** Inactive facilities are hidden from search; their history stays. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
