import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { AuthUser } from '../common/auth/auth-user';
import { timingDummyHash, verifyPassword } from '../common/auth/password-hasher';
import { unauthorized } from '../common/errors/domain-error';
import { RegisterEnterpriseDto } from '../organisations/organisations.dto';
import { OrganisationsService } from '../organisations/organisations.service';
import { UsersService } from '../organisations/users.service';
import { AccessTokenClaims } from './auth.guard';
import { AccessTokenDto, LoginDto } from './auth.dto';

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly organisations: OrganisationsService,
    private readonly users: UsersService,
  ) {}

  /** An SME registers itself: the enterprise and its first user commit together, or neither does. */
  async register(dto: RegisterEnterpriseDto) {
    const actor = { kind: 'system' as const, label: `self-registration by ${dto.email}` };
    const user = await this.dataSource.transaction(async (em) => {
      const org = await this.organisations.insert(em, actor, {
        kind: 'enterprise',
        nameZh: dto.organisationNameZh,
        nameEn: dto.organisationNameEn,
        creditCode: dto.creditCode,
        sme: dto.sme,
        cityCode: dto.cityCode,
      });
      return this.users.insert(em, actor, {
        email: dto.email,
        displayName: dto.displayName,
        password: dto.password,
        role: 'enterprise',
        organisationId: org.id,
      });
    });
    return this.me({ userId: user.id, email: user.email, role: user.role, organisationId: user.organisationId });
  }

  /** A wrong password and an unknown or inactive account get the same answer, after the same work. */
  async login(dto: LoginDto): Promise<AccessTokenDto> {
    const user = await this.users.findForLogin(dto.email);
    const ok = user ? await verifyPassword(user.passwordHash, dto.password) : await verifyPassword(await timingDummyHash(), dto.password);
    if (!user || !ok || !user.active) throw unauthorized('The e-mail address or the password is wrong.');
    await this.users.recordLogin(user.id, new Date());
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, org: user.organisationId };
    const accessToken = await this.jwt.signAsync(claims);
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(accessToken);
    return { accessToken, tokenType: 'Bearer', expiresIn: exp - iat };
  }

  /** The caller with its organisation. */
  me(auth: AuthUser) {
    return this.users.get(auth, auth.userId);
  }
}
