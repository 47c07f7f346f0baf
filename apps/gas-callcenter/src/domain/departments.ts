/**
 * Departments in a hierarchy (e.g. 客服中心 → 抢修中心 → 管网所). Escalation moves a ticket to the
 * parent department; department staff see their department's and its sub-departments' tickets.
 * @module
 */

/** A department. */
export interface Department {
  readonly id: number;
  /** Short unique code, e.g. `repair`. */
  readonly code: string;
  readonly name: string;
  /** `null` for the top of the hierarchy. */
  readonly parentId: number | null;
  readonly phone: string | null;
}

/** Storage of departments. */
export interface DepartmentRepository {
  /** Creates a department; `ERR_DUPLICATE` on a taken code, `ERR_NOT_FOUND` on an unknown parent. */
  create(department: Omit<Department, 'id'>): Promise<Department>;
  get(id: number): Promise<Department | undefined>;
  getByCode(code: string): Promise<Department | undefined>;
  list(): Promise<Department[]>;
  /** The department and every department below it (ids). */
  subtreeIds(id: number): Promise<number[]>;
}
