import { sampleEntry } from '../testing/audit.fixtures.js';
import { buildSubjectReport, renderSubjectReportHtml } from './subject-report.js';

const now = new Date('2026-04-01T00:00:00Z');

describe('the subject report', () => {
  it('given entries, then the summary counts actions, purposes (with legal bases), actors and fields', () => {
    const entries = [sampleEntry(0), sampleEntry(5, { purpose: 'marketing', legalBasis: 'consent', fields: ['phones'] }), sampleEntry(10)];
    const report = buildSubjectReport('subject-0', entries, false, null, now);
    expect(report).toMatchObject({
      entryCount: 3,
      firstOccurredAt: entries[0]!.occurredAt.toISOString(),
      lastOccurredAt: entries[2]!.occurredAt.toISOString(),
    });
    expect(report.purposes).toEqual([
      { purpose: 'customer-service', legalBases: ['contract'], count: 2 },
      { purpose: 'marketing', legalBases: ['consent'], count: 1 },
    ]);
    expect(report.fieldsTouched).toEqual(['emails', 'name.given', 'phones']);
  });

  it('given ids and codes carrying markup, then the HTML escapes every one of them', () => {
    const hostile = '"><img src=x onerror=alert(1)>';
    const entries = [sampleEntry(0, { subjectId: hostile, actorId: hostile, purpose: hostile, fields: [hostile], correlationId: hostile, action: hostile })];
    const html = renderSubjectReportHtml(buildSubjectReport(hostile, entries, true, null, now));
    expect(html).not.toContain('<img');
    expect(html).not.toContain('"><');
    expect(html).toContain('&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('truncated');
  });
});
