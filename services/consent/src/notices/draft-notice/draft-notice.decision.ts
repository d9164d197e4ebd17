import { PURPOSE_CATALOGUE_VERSION, PURPOSES } from '../../purposes/purpose.catalogue.js';
import type { DraftNotice, NoticeEvent, NoticeState, NoticeTexts } from '../notice.decider.js';
import { noticeVersion } from '../notice.streams.js';

const nfc = (texts: NoticeTexts): NoticeTexts => ({
  controller: texts.controller.normalize('NFC'),
  dpoContact: texts.dpoContact.normalize('NFC'),
  retention: texts.retention.normalize('NFC'),
  recipients: texts.recipients.normalize('NFC'),
  processors: texts.processors.normalize('NFC'),
  rights: texts.rights.normalize('NFC'),
});

/**
 * A new draft: the next number of its language, the DPO's texts (in Unicode NFC, so the hash does not depend on how
 * they were typed), the purposes with their lawful bases as the purpose catalogue states them now, and what the
 * register's approved activities say of their retention, recipients, processors and transfers.
 */
export function decideDraftNotice(command: DraftNotice, state: NoticeState): NoticeEvent[] {
  const number = state.versions.length + 1;
  return [
    {
      type: 'PrivacyNoticeDrafted',
      number,
      content: {
        version: noticeVersion(command.lang, number),
        lang: command.lang,
        catalogueVersion: PURPOSE_CATALOGUE_VERSION,
        purposes: PURPOSES.map((purpose) => ({
          code: purpose.code,
          lawfulBases: [...purpose.lawfulBases],
          objection: purpose.objection,
          description: purpose.description,
        })),
        ...nfc(command.texts),
        register: command.register,
      },
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
