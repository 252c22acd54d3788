import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/auth/auth.decorators';
import { findAsset } from './assets';

/** htmx, ECharts and the console's own CSS and script, from the app's origin, cached for a year (the URL carries the content hash). */
@ApiExcludeController()
@Controller('assets')
export class AssetsController {
  @Get(':hash/:name')
  @Public()
  asset(@Param('hash') hash: string, @Param('name') name: string, @Req() req: Request, @Res() res: Response): void {
    const asset = findAsset(name);
    if (!asset || asset.hash !== hash) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('ETag', `"${asset.hash}"`);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === `"${asset.hash}"`) {
      res.status(304).end();
      return;
    }
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      res.setHeader('Content-Encoding', 'gzip');
      res.send(asset.gzip);
    } else {
      res.send(asset.body);
    }
  }
}
