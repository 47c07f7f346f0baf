import type { SchedulerLike } from 'rxjs';
import type { TicketDraft } from '../commands.js';
import type { ClientTransport } from '../transport.js';

/** A user the server under test knows, with the password that logs them in. */
export interface ConformanceUser {
  readonly userId: string;
  readonly password: string;
}

/**
 * One network path from desktops to the server under test. Paths are independent: dropping one
 * leaves the links of another alone, so a test can cut one desktop off while a supervisor on
 * another path keeps working. (`createMemoryTransport(server)` is one; a WebSocket proxy is another.)
 */
export interface ConformanceNetwork {
  /** Opens a link (`AgentClient`'s `transport` option). */
  readonly connect: ClientTransport;
  /** Drops every open link of this path at once, as a network failure would (close 1006). */
  dropAll(): void;
  /** While true, new links on this path fail with `ERR_UNREACHABLE`. */
  unreachable: boolean;
}

/** The far end of a call the world put through to a desk. */
export interface ConformanceCaller {
  /** The caller hangs up. Resolves once the server has been told (the desk learns it by events). */
  hangup(): Promise<void>;
}

/** The users of the server under test, one per role the suite exercises. */
export interface ConformanceUsers {
  /** An agent with a seat, who is offered the calls of {@link ConformanceWorld.offerCall}. */
  readonly agent: ConformanceUser;
  /** A second agent with a seat (receives voicemail notices, stays out of the calls). */
  readonly otherAgent: ConformanceUser;
  readonly supervisor: ConformanceUser;
  /** Department staff of the department {@link ConformanceWorld.departmentTicket} is routed to. */
  readonly department: ConformanceUser;
  /** Department staff of another department, which must not see that ticket. */
  readonly otherDepartment: ConformanceUser;
  readonly administrator: ConformanceUser;
  /** A disabled account (its right password is refused with `ERR_ACCOUNT_DISABLED`), if the server has one. */
  readonly disabled?: ConformanceUser;
  /** A user id the server does not know. */
  readonly unknownUserId: string;
}

/**
 * One fresh server under test, for one test, with hooks that make its world do things. Time is
 * the harness's: `run` drives it (virtual time) or just awaits (a real server), `wait` lets it pass.
 */
export interface ConformanceWorld {
  /** The scheduler the suite's clients run on (the server's, in virtual time). */
  readonly scheduler: SchedulerLike;
  /** Drives time until `promise` settles, at most `maxMs` of it. */
  run<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
  /** Lets `ms` of time pass. */
  wait(ms: number): Promise<void>;
  /** A new, independent network path to the server. */
  network(): ConformanceNetwork;
  readonly users: ConformanceUsers;
  /** A caller number the server identifies as one customer (`customerId`), by caller ID. */
  readonly knownCaller: { readonly number: string; readonly customerId: string };
  /** A caller number no customer has. */
  readonly unknownCaller: string;
  /** A ticket the server routes to the department of `users.department` (its subject is replaced per test). */
  readonly departmentTicket: TicketDraft;
  /**
   * A caller `from` rings agent `agentId`, who is logged in, ready, idle and the only agent ready.
   * Resolves once the call is on its way to the desk; the desk then gets `call.offered`.
   */
  offerCall(agentId: string, from: string): Promise<ConformanceCaller>;
  /** A caller `from` leaves a voicemail asking to be called back on that number; resolves when it is stored. */
  leaveVoicemail(from: string): Promise<void>;
  /** Stops the server and frees what the world holds. */
  teardown(): Promise<void>;
}

/** What a server implementation gives the protocol conformance suite. */
export interface ProtocolConformanceHarness {
  /** Shown in the suite's title. */
  readonly name: string;
  /** Builds a fresh server and world for each test. */
  setup(): Promise<ConformanceWorld>;
  /** Skip the whole suite, with the reason shown. */
  readonly skip?: string | false;
}
