import { DraftNoticeRoute } from './draft-notice/draft-notice.route.js';
import { NoticeCommands } from './notice-commands.service.js';
import { NoticeStates } from './notice-states.repository.js';
import { NoticeWriteModel } from './notice.write-model.js';
import { PublishNoticeRoute } from './publish-notice/publish-notice.route.js';
import { ReadNoticeRoute } from './read-notice/read-notice.route.js';

// The privacy notices, one folder per use case (`<use-case>/`: decision, route, tests).
export const NOTICE_ROUTES = [DraftNoticeRoute, PublishNoticeRoute, ReadNoticeRoute];
export const NOTICE_PROVIDERS = [NoticeStates, NoticeWriteModel, NoticeCommands];
