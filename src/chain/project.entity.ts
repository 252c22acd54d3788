import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ChainStage, Direction } from '../catalogue/catalogue.constants';

/**
 * An enterprise's technology project on the lab → pilot → industry chain. The migration
 * (1764210800000-ChainProjects) holds its rules; the service reads and writes it through the named
 * queries of ChainStore.
 */
@Entity('projects')
export class Project {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @Column({ name: 'title_zh', type: 'text' })
  titleZh: string;

  @Column({ name: 'title_en', type: 'text', nullable: true })
  titleEn: string | null;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text' })
  direction: Direction;

  /** The current stage: always that of the one open history row (checked at commit). */
  @Column({ type: 'text' })
  stage: ChainStage;

  @Column({ name: 'started_on', type: 'date' })
  startedOn: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One stay of a project in a stage. Append-only: only `leftOn` is set, once, when the stage is left. */
@Entity('project_stage_history')
export class ProjectStageHistory {
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'text' })
  stage: ChainStage;

  @Column({ name: 'entered_on', type: 'date' })
  enteredOn: string;

  @Column({ name: 'left_on', type: 'date', nullable: true })
  leftOn: string | null;

  @Column({ type: 'text' })
  move: 'start' | 'advance' | 'revert';

  @Column({ type: 'text', nullable: true })
  evidence: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'entered_by', type: 'uuid', nullable: true })
  enteredBy: string | null;

  @Column({ name: 'entered_at', type: 'timestamptz' })
  enteredAt: Date;
}
