import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Takes the hash chain off the write path: entries are inserted unchained (prev_hash, hash,
 * chain_index and sealed_at NULL, with the writer's transaction id in `txid`) and a sealing step
 * chains them later, in `seq` order (src/audit/audit-sealer.ts). The trigger still refuses every
 * UPDATE, DELETE and TRUNCATE except the one sealing UPDATE of an unsealed row.
 */
export class AuditSealing1764214400000 implements MigrationInterface {
  name = 'AuditSealing1764214400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_entries ALTER COLUMN hash DROP NOT NULL`);
    await q.query(`ALTER TABLE audit_entries ADD COLUMN txid xid8`);
    await q.query(`ALTER TABLE audit_entries ADD COLUMN chain_index bigint`);
    await q.query(`ALTER TABLE audit_entries ADD COLUMN sealed_at timestamptz`);
    // The entries chained so far stay as they are: they get their position and are sealed now.
    await q.query(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`);
    await q.query(`
      UPDATE audit_entries a SET chain_index = n.i, sealed_at = now()
        FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS i FROM audit_entries) n
       WHERE n.seq = a.seq`);
    await q.query(`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only`);
    await q.query(`ALTER TABLE audit_entries ADD CONSTRAINT audit_entries_chain_index_key UNIQUE (chain_index)`);
    await q.query(`
      ALTER TABLE audit_entries ADD CONSTRAINT audit_entries_sealed_whole CHECK (
        (hash IS NULL AND prev_hash IS NULL AND chain_index IS NULL AND sealed_at IS NULL)
        OR (hash IS NOT NULL AND chain_index IS NOT NULL AND sealed_at IS NOT NULL))`);
    await q.query(`CREATE INDEX audit_entries_unsealed_idx ON audit_entries (seq) WHERE sealed_at IS NULL`);
    await q.query(`CREATE INDEX audit_entries_at_idx ON audit_entries (at)`);

    // audit_entries_refuse_change() stays as it is (usage_imports uses it too); audit_entries gets its own guard.
    await q.query(`
      CREATE FUNCTION audit_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.sealed_at IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL AND OLD.chain_index IS NULL
           AND NEW.sealed_at IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.chain_index IS NOT NULL
           AND (to_jsonb(NEW) - 'prev_hash' - 'hash' - 'chain_index' - 'sealed_at')
             = (to_jsonb(OLD) - 'prev_hash' - 'hash' - 'chain_index' - 'sealed_at') THEN
          RETURN NEW; -- the one sealing UPDATE: sets the chain columns once, changes nothing else
        END IF;
        RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TRIGGER audit_entries_append_only ON audit_entries`);
    await q.query(`DROP TRIGGER audit_entries_no_truncate ON audit_entries`);
    await q.query(`CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_guard()`);
    await q.query(`CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_entries_append_only ON audit_entries`);
    await q.query(`DROP TRIGGER audit_entries_no_truncate ON audit_entries`);
    await q.query(`DROP FUNCTION audit_entries_guard()`);
    await q.query(
      `CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`,
    );
    await q.query(`DROP INDEX audit_entries_at_idx`);
    await q.query(`DROP INDEX audit_entries_unsealed_idx`);
    await q.query(`ALTER TABLE audit_entries DROP CONSTRAINT audit_entries_sealed_whole`);
    await q.query(`ALTER TABLE audit_entries DROP CONSTRAINT audit_entries_chain_index_key`);
    await q.query(`ALTER TABLE audit_entries DROP COLUMN sealed_at, DROP COLUMN chain_index, DROP COLUMN txid`);
  }
}
