/**
 * The survey node: questions answered by keypad (1–5 scales, yes/no), `*` to hear a question
 * again, `#` to skip it; the answers come back as a record typed by the questions.
 *
 * @module
 */
import type { CallContext, PromptRef, Prompts } from './call-context.js';
import { StandardPrompt } from './standard-prompts.js';

/** A survey question. */
export type SurveyQuestion =
  | {
      readonly id: string;
      readonly prompt: Prompts;
      readonly kind: 'scale';
      readonly min?: number;
      readonly max?: number;
    }
  | { readonly id: string; readonly prompt: Prompts; readonly kind: 'yes-no' };

/** The answer type of a question: a score, or yes/no. */
export type SurveyAnswerOf<Q extends SurveyQuestion> = Q extends { readonly kind: 'scale' } ? number : boolean;

/**
 * Answers by question id: the value, `null` when the caller skipped it (`#`), `undefined` when
 * it got no valid answer (timeouts, invalid keys, hangup).
 */
export type SurveyAnswers<Qs extends readonly SurveyQuestion[]> = {
  readonly [Q in Qs[number] as Q['id']]: SurveyAnswerOf<Q> | null | undefined;
};

/** The result of a survey. */
export interface SurveyResult<Qs extends readonly SurveyQuestion[]> {
  readonly answers: SurveyAnswers<Qs>;
  /** Questions answered (skips excluded). */
  readonly answered: number;
  /** The caller reached the end (false after a hangup). */
  readonly completed: boolean;
}

/** @internal */
export async function runSurvey<const Q extends readonly SurveyQuestion[]>(
  ctx: CallContext,
  id: string,
  questions: Q,
  publish: (result: SurveyResult<Q>) => void,
): Promise<SurveyResult<Q>> {
  const answers: Record<string, number | boolean | null | undefined> = {};
  for (const q of questions) answers[q.id] = undefined;
  let completed = false;
  const result = (): SurveyResult<Q> => ({
    answers: { ...answers } as SurveyAnswers<Q>,
    answered: Object.values(answers).filter((a) => a !== null && a !== undefined).length,
    completed,
  });
  try {
    for (const q of questions) {
      const min = q.kind === 'scale' ? (q.min ?? 1) : 1;
      const max = q.kind === 'scale' ? (q.max ?? 5) : 2;
      const choices = Array.from({ length: max - min + 1 }, (_, i) => String(min + i));
      const key = await ctx.node('menu', `${id}.${q.id}`, async (track) => {
        let first = true;
        for (;;) {
          const hint = q.kind === 'scale' ? StandardPrompt.SurveyScale : StandardPrompt.SurveyYesNo;
          await ctx.playRefs([...([] as PromptRef[]).concat(q.prompt), hint], true, !first);
          first = false;
          const r = await ctx.collectKeys({ maxDigits: 1, firstDigitTimeoutMs: 8000 });
          if (r.digits === '*') continue; // hear it again
          if (r.digits === '#' || choices.includes(r.digits)) {
            track.input = r.digits;
            ctx.emitInput(`${id}.${q.id}`, r.digits, false, true);
            return r.digits;
          }
          track.failures++;
          ctx.emitInput(`${id}.${q.id}`, r.digits, false, false, r.digits === '' ? 'timeout' : 'not-a-choice');
          if (track.failures >= 3) {
            track.result = 'max-failures';
            return '';
          }
          await ctx.playRefs([r.digits === '' ? StandardPrompt.Timeout : StandardPrompt.Invalid], true, true);
        }
      });
      if (key === '#') answers[q.id] = null;
      else if (key !== '') answers[q.id] = q.kind === 'scale' ? Number(key) : key === '1';
    }
    completed = true;
    await ctx.play(StandardPrompt.SurveyThanks, { id: `${id}.thanks`, bargeIn: false });
    return result();
  } finally {
    publish(result());
  }
}
