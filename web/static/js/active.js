import { initTopBar } from './common.js';
import { mountLiveFlows } from './livetable.js';

const refresh = await initTopBar();
mountLiveFlows(document.getElementById('content'), refresh);
