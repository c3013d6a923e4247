import { SEARCH, SearchEndpointsDto, type EndpointSearchHit } from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EndpointSearch } from './endpoint-search.js';

/** `search.endpoints`: the operations across all OpenAPI integrations that best match a plain-language query. */
@Controller()
export class SearchHandlers {
  constructor(@Inject(EndpointSearch) private readonly search: EndpointSearch) {}

  @MessagePattern(SEARCH.endpoints)
  endpoints(@Payload() dto: SearchEndpointsDto): Promise<EndpointSearchHit[]> {
    return this.search.search(dto);
  }
}
