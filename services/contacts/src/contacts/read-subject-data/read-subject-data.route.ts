import { Get, Param } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { ContactViews, type SubjectDataView } from '../../contact-views/contact-views.service.js';
import { ContactsRoute, subjectRightsContext } from '../contact.http.js';

/**
 * The whole contact for the data-subject request desk (consent's access and portability packages): every field and
 * purchase, unminimised, as processing for `data-subject-rights` on legal obligation, recorded like every read.
 * Not behind the gateway (tests/architecture lists it as internal): the desk calls it with the DPO's own token, so
 * it needs what completing a request needs — `requests:manage` and a fresh second factor.
 */
@ContactsRoute()
export class ReadSubjectDataRoute {
  constructor(private readonly views: ContactViews) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Get(':id/subject-data')
  @ApiOperation({ summary: "Everything held about a contact, for a data-subject request (the request desk's read; requests:manage and a fresh second factor)" })
  read(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<SubjectDataView> {
    return this.views.subjectData(id, subjectRightsContext(caller));
  }
}
