import { AppError } from '@crm/errors';
import type { Decider } from '@crm/eventstore';

/**
 * A deliberately small domain that exercises the whole backbone the way real services will: a command carrying
 * personal data (`note`), a pure decider, an event whose PII is sealed before it is stored. The backbone's own
 * tests and the benchmark use it; no service does.
 */
export interface RecordSample {
  type: 'RecordSample';
  sampleId: string;
  subjectId: string;
  /** Personal data: sealed with the subject's key before the event leaves the process. */
  note: string;
  amountCents: bigint;
  category: string;
}

export interface SampleRecorded {
  type: 'SampleRecorded';
  sampleId: string;
  subjectId: string;
  note: string;
  amountCents: bigint;
  category: string;
}

export interface SampleState {
  recorded: boolean;
  totalCents: bigint;
}

const MAX_NOTE_LENGTH = 2_000;

export const sampleLedger: Decider<RecordSample, SampleState, SampleRecorded> = {
  initialState: () => ({ recorded: false, totalCents: 0n }),
  decide(command, state) {
    if (state.recorded) throw new AppError('SAMPLE_ALREADY_RECORDED', 'conflict', 'this sample was recorded already');
    if (command.amountCents < 0n) throw new AppError('SAMPLE_AMOUNT_NEGATIVE', 'invalid', 'amount must not be negative', { details: { field: 'amountCents' } });
    if (command.note.length > MAX_NOTE_LENGTH) {
      throw new AppError('SAMPLE_NOTE_TOO_LONG', 'invalid', `note exceeds ${MAX_NOTE_LENGTH} characters`, { details: { field: 'note', max: MAX_NOTE_LENGTH } });
    }
    const { type: _command, ...data } = command;
    return [{ type: 'SampleRecorded', ...data }];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'SampleRecorded':
        return { recorded: true, totalCents: state.totalCents + event.amountCents };
      default: {
        const _exhaustive: never = event.type;
        return _exhaustive;
      }
    }
  },
};
