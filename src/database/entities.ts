import { AuditEntry } from '../audit/audit-entry.entity';
import { Organisation } from '../organisations/organisation.entity';
import { User } from '../organisations/user.entity';

/** Every TypeORM entity; migrations, not `synchronize`, create their tables. */
export const ENTITIES = [Organisation, User, AuditEntry];
