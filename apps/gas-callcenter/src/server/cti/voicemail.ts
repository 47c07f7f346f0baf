/**
 * Voicemail at the desk: the call-back list, marking a voicemail's progress, calling the caller
 * back (an outbound call from the agent's seat), and `voicemail.added` pushes to call handlers.
 *
 * @module
 */
import type { SchedulerLike } from 'rxjs';
import { ProtocolErrorCode, type CallInfo } from '@hotline/agent-protocol';
import type { CommandHandlers, ProtocolServer, SessionView } from '@hotline/agent-protocol/server';
import type { Store } from '../../domain/store.js';
import type { Voicemail } from '../../domain/voicemail.js';
import { command, fail, type Io } from './commands.js';
import type { Directory } from './directory.js';
import { domainVoicemailStatus, numericId, wirePhone, wireVoicemail } from './mapping.js';

/** What {@link VoicemailDesk} needs. */
export interface VoicemailDeskDeps {
  readonly store: Pick<Store, 'voicemails'>;
  readonly directory: Directory;
  readonly server: Pick<ProtocolServer, 'push'>;
  /** Dials a number from the session's seat (the calls module). */
  readonly dial: (session: SessionView, number: string) => Promise<CallInfo>;
  readonly scheduler: SchedulerLike;
  readonly io: Io;
}

/** The `voicemail.*` commands and pushes. */
export class VoicemailDesk {
  constructor(private readonly deps: VoicemailDeskDeps) {}

  /** A voicemail was stored or changed: call-back handlers hear of it. */
  announce(vm: Voicemail): void {
    if (!vm.wantsReply) return;
    this.deps.server.push({ role: ['agent', 'supervisor'] }, 'voicemail.added', wireVoicemail(vm));
  }

  /** Voicemails waiting for a call back (snapshot count). */
  async waiting(): Promise<number> {
    return (await this.deps.io(this.deps.store.voicemails.pendingCallbacks(500))).length;
  }

  handlers(): CommandHandlers {
    const { store, io, directory, server, scheduler } = this.deps;
    return {
      'voicemail.list': command(async (p) => {
        const pending = await io(store.voicemails.pendingCallbacks(Math.max(p.limit, 200)));
        const wanted = p.status ? new Set(p.status) : undefined;
        return {
          voicemails: pending
            .map(wireVoicemail)
            .filter((v) => !wanted || wanted.has(v.status))
            .slice(0, p.limit),
        };
      }),
      'voicemail.mark': command(async (p, s) => {
        const id = numericId(p.voicemailId, 'voicemail');
        const vm = await io(store.voicemails.get(id));
        if (!vm) fail(ProtocolErrorCode.NotFound, `no voicemail ${p.voicemailId}`);
        if (!p.status) return wireVoicemail(vm);
        const { status, outcome } = domainVoicemailStatus(p.status);
        const user = directory.user(s.user.userId);
        const updated = await io(
          store.voicemails.setStatus(id, status, {
            userId: user?.id ?? null,
            at: scheduler.now(),
            outcome: outcome ?? p.note ?? null,
          }),
        );
        const out = wireVoicemail(updated);
        server.push({ role: ['agent', 'supervisor'] }, 'voicemail.added', out);
        return out;
      }),
      'voicemail.callBack': command(async (p, s) => {
        const id = numericId(p.voicemailId, 'voicemail');
        const vm = await io(store.voicemails.get(id));
        if (!vm) fail(ProtocolErrorCode.NotFound, `no voicemail ${p.voicemailId}`);
        const number = wirePhone(vm.callbackNumber) ?? wirePhone(vm.caller);
        if (!number)
          fail(ProtocolErrorCode.Validation, 'the voicemail has no number to call back', { field: 'callbackNumber' });
        const call = await this.deps.dial(s, number);
        const user = directory.user(s.user.userId);
        const updated = await io(
          store.voicemails.setStatus(id, 'in_progress', { userId: user?.id ?? null, at: scheduler.now() }),
        );
        return { voicemail: wireVoicemail(updated), call };
      }),
    };
  }
}
