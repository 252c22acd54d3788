import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { CreateOrganisationDto, CreateUserDto, OrganisationQueryDto, UserQueryDto } from './organisations.dto';
import { OrganisationsService } from './organisations.service';
import { UsersService } from './users.service';
import { Organisation } from './organisation.entity';
import { UuidParam } from '../common/validation/uuid-param';

@ApiTags('organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  /** Admin: create an operator, an authority or an enterprise. */
  @Post()
  @Authenticated('admin')
  @ApiCreatedResponse({ type: Organisation })
  @ApiConflictResponse({ description: 'credit_code_taken' })
  create(@Auth() auth: AuthUser, @Body() dto: CreateOrganisationDto) {
    return this.organisations.create(auth, dto);
  }

  /** All organisations (admins and officials). */
  @Get()
  @Authenticated('admin', 'official')
  list(@Query() query: OrganisationQueryDto) {
    return this.organisations.list(query);
  }

  /** One organisation: admins and officials any, others their own. */
  @Get(':id')
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
  @Authenticated('admin')
  @ApiConflictResponse({ description: 'email_taken' })
  create(@Auth() auth: AuthUser, @Body() dto: CreateUserDto) {
    return this.users.create(auth, dto);
  }

  /** All users (admins). */
  @Get()
  @Authenticated('admin')
  list(@Query() query: UserQueryDto) {
    return this.users.list(query);
  }

  /** One user: admins any, others themselves. */
  @Get(':id')
  @Authenticated()
  get(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.users.get(auth, id);
  }
}
