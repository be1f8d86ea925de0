// Every measure `npm run bench` knows, in the order they run and are shown.
import type { Measure } from '../lib/types.ts';
import { pushFloor } from './push-floor.ts';
import { pushHttp } from './push-http.ts';
import { pullCost } from './pull-cost.ts';
import { initialSync, localEdit, offlineQueue, streamLatency } from './client.ts';
import { peer } from './peer.ts';

export const measures: Measure[] = [pushFloor, pushHttp, initialSync, streamLatency, pullCost, localEdit, peer, offlineQueue];
