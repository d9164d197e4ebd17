import { AppError } from '@crm/errors';
import { fold } from '@crm/eventstore';
import { sampleLedger, type RecordSample } from './sample-ledger.decider.js';

const command: RecordSample = { type: 'RecordSample', sampleId: 's-1', subjectId: 'subject-1', note: 'hello', amountCents: 1250n, category: 'books' };

describe('sample ledger', () => {
  it('given no history, when a sample is recorded, then SampleRecorded carries the command data', () => {
    const events = sampleLedger.decide(command, sampleLedger.initialState());

    expect(events).toEqual([{ type: 'SampleRecorded', sampleId: 's-1', subjectId: 'subject-1', note: 'hello', amountCents: 1250n, category: 'books' }]);
    expect(fold(sampleLedger, events)).toEqual({ recorded: true, totalCents: 1250n });
  });

  it('given the sample was recorded, when recorded again, then it is refused with a stable code', () => {
    const state = fold(sampleLedger, sampleLedger.decide(command, sampleLedger.initialState()));
    expect(() => sampleLedger.decide(command, state)).toThrow(expect.objectContaining({ code: 'SAMPLE_ALREADY_RECORDED' }) as AppError);
  });

  it('given a negative amount or an oversized note, then the command is refused and no event is decided', () => {
    expect(() => sampleLedger.decide({ ...command, amountCents: -1n }, sampleLedger.initialState())).toThrow(
      expect.objectContaining({ code: 'SAMPLE_AMOUNT_NEGATIVE' }) as AppError,
    );
    expect(() => sampleLedger.decide({ ...command, note: 'x'.repeat(2_001) }, sampleLedger.initialState())).toThrow(
      expect.objectContaining({ code: 'SAMPLE_NOTE_TOO_LONG' }) as AppError,
    );
  });
});
