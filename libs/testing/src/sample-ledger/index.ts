export { sampleLedger, type RecordSample, type SampleRecorded, type SampleState } from './sample-ledger.decider.js';
export { sampleLedgerCodec, SAMPLE_RECORDED } from './sample-ledger.codec.js';
export { SampleTotalsProjection, sampleTotalsMigrations } from './sample-totals.projection.js';
