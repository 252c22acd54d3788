import { Param, ParseUUIDPipe } from '@nestjs/common';
import { validationFailed } from './validation-pipe';

/** A pipe that answers a non-UUID with 400 validation_failed naming the parameter. */
export const uuidPipe = (name: string) => new ParseUUIDPipe({ exceptionFactory: () => validationFailed([{ field: name, message: `${name} must be a UUID` }]) });

/** `@UuidParam()` (or `@UuidParam('maintenanceId')`): a path parameter that must be a UUID. */
export const UuidParam = (name = 'id'): ParameterDecorator => Param(name, uuidPipe(name));
