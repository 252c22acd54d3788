import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { CreateOrganisationDto, CreateUserDto, OrganisationQueryDto, UserQueryDto } from './organisations.dto';
import { OrganisationsService } from './organisations.service';
import { UsersService } from './users.service';
import { ApiProblems } from '../common/openapi/api-problems';
import { OrganisationDto, OrganisationPageDto, UserDto, UserPageDto } from './organisations.responses';
import { UuidParam } from '../common/validation/uuid-param';

@ApiTags('organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  /** Admin: create an operator, an authority or an enterprise. */
  @Post()
  @Authenticated('admin')
  @ApiCreatedResponse({ type: OrganisationDto })
  @ApiConflictResponse({ description: 'credit_code_taken' })
  create(@Auth() auth: AuthUser, @Body() dto: CreateOrganisationDto) {
    return this.organisations.create(auth, dto);
  }

  /** All organisations (admins and officials). */
  @Get()
  @ApiOkResponse({ type: OrganisationPageDto })
  @Authenticated('admin', 'official')
  list(@Auth() auth: AuthUser, @Query() query: OrganisationQueryDto) {
    return this.organisations.list(auth, query);
  }

  /** One organisation: admins and officials any, others their own. */
  @Get(':id')
  @ApiOkResponse({ type: OrganisationDto })
  @Authenticated()
  @ApiNotFoundResponse({ description: 'Unknown, or not yours.' })
  get(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.organisations.get(auth, id);
  }
}

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Admin: create a user; the role must fit the organisation's kind (admins have none). */
  @Post()
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems([404, 'No such organisation.'])
  @Authenticated('admin')
  @ApiConflictResponse({ description: 'email_taken' })
  create(@Auth() auth: AuthUser, @Body() dto: CreateUserDto) {
    return this.users.create(auth, dto);
  }

  /** All users (admins). */
  @Get()
  @ApiOkResponse({ type: UserPageDto })
  @Authenticated('admin')
  list(@Auth() auth: AuthUser, @Query() query: UserQueryDto) {
    return this.users.list(auth, query);
  }

  /** One user: admins any, others themselves. */
  @Get(':id')
  @ApiOkResponse({ type: UserDto })
  @Authenticated()
  get(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.users.get(auth, id);
  }
}
