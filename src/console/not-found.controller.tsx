import { All } from '@nestjs/common';
import { notFound } from '../common/errors/domain-error';
import { CONSOLE_SECTIONS } from './console-http';
import { AnonymousPage, ConsoleController } from './console.decorators';

/**
 * Any other path under the console's sections: the 404 page in the user's language (not the API's JSON).
 * Registered last, so it only gets what no page took.
 */
@ConsoleController()
export class ConsoleNotFoundController {
  @All(CONSOLE_SECTIONS.filter((s) => s !== 'assets').flatMap((s) => [s, `${s}/*path`]))
  @AnonymousPage()
  notFound(): never {
    throw notFound('Page');
  }
}
