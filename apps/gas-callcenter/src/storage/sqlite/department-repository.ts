/**
 * SQLite implementation of {@link DepartmentRepository}.
 * @module
 */
import type { Clock } from '../../domain/clock.js';
import type { Department, DepartmentRepository } from '../../domain/departments.js';
import { notFound } from '../../domain/errors.js';
import type { SqliteDatabase } from '../database.js';

interface Row {
  id: number;
  code: string;
  name: string;
  parent_id: number | null;
  phone: string | null;
}

const toDepartment = (r: Row): Department => ({
  id: r.id,
  code: r.code,
  name: r.name,
  parentId: r.parent_id,
  phone: r.phone,
});

/** Departments in SQLite. */
export class SqliteDepartmentRepository implements DepartmentRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  create(d: Omit<Department, 'id'>): Promise<Department> {
    return this.db.transaction(async () => {
      if (d.parentId !== null && !(await this.get(d.parentId))) throw notFound('department', d.parentId);
      const { lastId } = await this.db.run(
        'INSERT INTO departments (code, name, parent_id, phone, created_at) VALUES (?,?,?,?,?)',
        [d.code, d.name, d.parentId, d.phone, this.clock.now()],
      );
      return { ...d, id: lastId };
    });
  }

  async get(id: number): Promise<Department | undefined> {
    const r = await this.db.get<Row>('SELECT id, code, name, parent_id, phone FROM departments WHERE id = ?', [id]);
    return r && toDepartment(r);
  }

  async getByCode(code: string): Promise<Department | undefined> {
    const r = await this.db.get<Row>('SELECT id, code, name, parent_id, phone FROM departments WHERE code = ?', [code]);
    return r && toDepartment(r);
  }

  async list(): Promise<Department[]> {
    return (await this.db.all<Row>('SELECT id, code, name, parent_id, phone FROM departments ORDER BY id')).map(
      toDepartment,
    );
  }

  async subtreeIds(id: number): Promise<number[]> {
    const rows = await this.db.all<{ id: number }>(
      'WITH RECURSIVE sub(id) AS (SELECT id FROM departments WHERE id = ? UNION SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id) SELECT id FROM sub ORDER BY id',
      [id],
    );
    return rows.map((r) => r.id);
  }
}
