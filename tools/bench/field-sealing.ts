// The per-field cost of sealing PII, without I/O: AES-256-GCM with AAD binding (what FieldCipher does once it has
// the subject's key from its cache) against copying the same bytes into a plaintext field.
import { randomBytes } from 'node:crypto';
import { sealField } from '@crm/crypto';
import { timed, type Measurement } from './bench-env.ts';

export async function fieldSealing(count: number): Promise<Measurement[]> {
  const dek = randomBytes(32);
  const binding = { subjectId: 'subject-1', fieldPath: 'note', keyId: 'sk_bench', keyVersion: 1 };
  const value = 'Jane Doe, 12 Example Street, prefers e-mail before noon';
  let sink = 0;
  const sealed = await timed(async () => {
    for (let i = 0; i < count; i++) sink += sealField(dek, binding, value).ciphertext.length;
  });
  const plain = await timed(async () => {
    for (let i = 0; i < count; i++) sink += Buffer.from(value).length;
  });
  if (sink === 0) throw new Error('unreachable');
  return [
    { section: 'crypto', name: 'seal one field (AES-256-GCM + AAD, 55 bytes)', perSecond: count / sealed.seconds, count, seconds: sealed.seconds },
    { section: 'crypto', name: 'copy one plaintext field (baseline)', perSecond: count / plain.seconds, count, seconds: plain.seconds },
  ];
}
