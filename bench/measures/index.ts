// Every measure `npm run bench` knows, in the order they run and are shown.
import type { Measure } from '../lib/types.ts';
import { pushFloor } from './push-floor.ts';
import { pushHttp } from './push-http.ts';
import { pullCost } from './pull-cost.ts';

export const measures: Measure[] = [pushFloor, pushHttp, pullCost];
