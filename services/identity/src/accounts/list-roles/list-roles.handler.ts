import { Injectable } from '@nestjs/common';
import { RoleCatalogueReader, type RoleListing } from '../role-catalogue.js';

/** The roles, built-in and administrator-made, each with its permissions and whether it requires a second factor. */
@Injectable()
export class ListRolesHandler {
  constructor(private readonly roles: RoleCatalogueReader) {}

  execute(): Promise<RoleListing[]> {
    return this.roles.list();
  }
}
