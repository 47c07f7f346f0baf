/**
 * The agent-protocol conformance suite against the gas call centre's CTI link: the real server on
 * a seeded SQLite store and the simulated board, in virtual time. Calls come in on the E1 and go
 * through the IVR (main menu 0: the general queue) to the one ready agent; voicemails are left
 * through the complaint menu as a caller would.
 */
import { firstValueFrom, timer } from 'rxjs';
import { synthesizeSpeech, type SimParty } from '@hotline/board-sim';
import { createMemoryTransport } from '@hotline/agent-protocol';
import { describeProtocolConformance, type ConformanceWorld } from '@hotline/agent-protocol/conformance';
import { DEMO_USER_PASSWORD } from '../src/seed/seed.js';
import { closeCtiWorld, openCtiWorld } from './cti-harness.js';

const user = (userId: string) => ({ userId, password: DEMO_USER_PASSWORD });

describeProtocolConformance({
  name: 'gas call centre (CTI link, simulated board, virtual time)',
  async setup(): Promise<ConformanceWorld> {
    const w = await openCtiWorld();
    const { store } = w;
    // Storage is real I/O: tracked, so virtual time waits for it.
    const { run } = w;
    const io = <T>(p: Promise<T>): Promise<T> => w.run(w.scheduler.track(p));
    const wait = (ms: number): Promise<void> =>
      run(
        firstValueFrom(timer(ms, w.scheduler)).then(() => undefined),
        ms + 60_000,
      );
    const [known] = (await io(store.customers.search({ limit: 30 }))).filter((c) => c.phones.length > 0);
    if (!known) throw new Error('the seed has no customer with a phone');
    const knownNumber = known.phones[0]!.phone;
    if ((await io(store.customers.findByPhone(knownNumber))).length !== 1) throw new Error('shared phone');
    const unknownCaller = '13900000231';
    if ((await io(store.customers.findByPhone(unknownCaller))).length !== 0) throw new Error('known phone');
    const disabled = await io(store.users.getByUsername('a010'));
    if (disabled) await io(store.users.setDisabled(disabled.id, true));

    const answer = async (party: SimParty, node: string, digits: string): Promise<void> => {
      await run(w.atNode(node));
      await wait(500);
      await run(party.press(digits));
    };
    return {
      scheduler: w.scheduler,
      run,
      wait,
      network: () => createMemoryTransport(w.link.server),
      users: {
        agent: user('a001'),
        otherAgent: user('a002'),
        supervisor: user('s001'),
        department: user('repair01'),
        otherDepartment: user('meters01'),
        administrator: user('admin'),
        disabled: user('a010'),
        unknownUserId: 'z999',
      },
      knownCaller: { number: knownNumber, customerId: String(known.id) },
      unknownCaller,
      departmentTicket: {
        kind: 'repair',
        category: 'no-gas',
        subject: '家中无气',
        description: '今早开始灶具点不着',
        address: '姑苏区人民路1288号3幢502室',
        contactPhone: '13800000088',
      },
      async offerCall(_agentId, from) {
        const party = await w.caller(from);
        await run(party.press('0'));
        return {
          async hangup() {
            party.hangup();
            await run(party.whenReleased());
          },
        };
      },
      async leaveVoicemail(from) {
        const party = await w.caller(from);
        await answer(party, 'main-menu', '6');
        await answer(party, 'complaint-menu', '2');
        await run(w.atNode('complaint-voicemail.record'));
        await wait(8_000); // greeting and beep
        await run(party.say(synthesizeSpeech({ durationMs: 4_000, seed: 31 })));
        await run(party.press('#'));
        await answer(party, 'complaint-voicemail.review', '3'); // keep
        await answer(party, 'complaint-voicemail.callback', '1'); // call me back on this number
        await answer(party, 'complaint-voicemail.reply', '1'); // a reply is wanted
        for (let i = 0; i < 120; i++) {
          const pending = await io(store.voicemails.pendingCallbacks(50));
          if (pending.some((v) => v.caller === from)) break;
          await wait(1_000);
        }
        party.hangup();
      },
      teardown: () => closeCtiWorld(w),
    };
  },
});
