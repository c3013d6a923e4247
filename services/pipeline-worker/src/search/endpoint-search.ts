import { ENDPOINTS_COLLECTION, SEARCH_LIMITS, type EndpointSearchHit, type SearchEndpointsDto } from '@autoweave/contracts';
import { CoalescingEmbedder, type Embedder, type VectorHit, type VectorStore } from '@autoweave/storage';

/**
 * `search.endpoints`: embeds the query with the embedder the index was
 * built with and returns the nearest operations of the `endpoints`
 * collection, best first. Searches that arrive together share one embedding
 * request when the embedder is a remote model.
 */
export class EndpointSearch {
  private readonly embedder: CoalescingEmbedder;

  constructor(
    private readonly store: VectorStore,
    embedder: Embedder,
  ) {
    this.embedder = new CoalescingEmbedder(embedder);
  }

  async search(dto: SearchEndpointsDto): Promise<EndpointSearchHit[]> {
    const vector = await this.embedder.embedOne(dto.q.trim());
    const hits = await this.store.search(ENDPOINTS_COLLECTION, vector, {
      limit: dto.limit ?? SEARCH_LIMITS.defaultLimit,
      ...(dto.integrationId ? { filter: { integrationId: dto.integrationId } } : {}),
    });
    return hits.map(toHit);
  }

  async close(): Promise<void> {
    await this.embedder.close?.();
  }
}

export function toHit(hit: VectorHit): EndpointSearchHit {
  const p = hit.payload;
  return {
    integrationId: String(p.integrationId),
    integrationName: String(p.integrationName),
    operationId: String(p.operationId),
    method: String(p.method),
    path: String(p.path),
    ...(typeof p.summary === 'string' ? { summary: p.summary } : {}),
    score: hit.score,
  };
}
