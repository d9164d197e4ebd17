/**
 * SQL for append-only tables (event stores, the audit trail, registers kept forever): a trigger function that raises
 * on any change, and the triggers that fire it on UPDATE, DELETE and TRUNCATE of a table. Identifiers come in
 * already quoted. The table's owner (or a superuser) can still disable triggers; what catches that is elsewhere
 * (the audit trail's signed Merkle heads).
 */
export function refuseMutationFunctionSql(schema: string, functionName: string, message: string, hint?: string): string {
  const using = hint === undefined ? `ERRCODE = 'P0001'` : `ERRCODE = 'P0001', HINT = '${hint.replaceAll("'", "''")}'`;
  return `
CREATE OR REPLACE FUNCTION ${schema}.${functionName}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '${message.replaceAll("'", "''")}: % refused', TG_OP USING ${using};
END $$;
`;
}

/** Triggers `<table>_immutable` (row UPDATE/DELETE) and `<table>_no_truncate` calling `functionName`. */
export function appendOnlyTriggersSql(schema: string, table: string, functionName: string): string {
  return `
DROP TRIGGER IF EXISTS ${table}_immutable ON ${schema}.${table};
CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${schema}.${table}
  FOR EACH ROW EXECUTE FUNCTION ${schema}.${functionName}();
DROP TRIGGER IF EXISTS ${table}_no_truncate ON ${schema}.${table};
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${schema}.${table}
  FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.${functionName}();
`;
}
