import type { Response } from 'express';
import { csrfTokenFor, languageOfRequest } from './console-http';
import type { ConsoleRequest } from './console.guard';
import { messagesFor } from './i18n/messages';
import { PageContext } from './page-context';

/** A notice after a redirect is a catalogue key (`?notice=sme.bookingRequested`): only texts of the catalogue can appear. */
function noticeText(m: ReturnType<typeof messagesFor>, key: unknown): string | undefined {
  if (typeof key !== 'string') return undefined;
  const [area, name] = key.split('.');
  const part = (m as unknown as Record<string, Record<string, unknown>>)[area];
  const text = part && Object.prototype.hasOwnProperty.call(part, name) ? part[name] : undefined;
  return typeof text === 'string' ? text : undefined;
}

export function pageContextOf(req: ConsoleRequest, res: Response): PageContext {
  const language = req.consoleLanguage ?? languageOfRequest(req);
  const m = messagesFor(language);
  return {
    language,
    m,
    viewer: req.consoleViewer ?? null,
    csrfToken: csrfTokenFor(req, res),
    path: req.path,
    requestId: typeof (req as { id?: unknown }).id === 'string' ? (req as { id: string }).id : '',
    notice: noticeText(m, req.query?.notice),
  };
}
