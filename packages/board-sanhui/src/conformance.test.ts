import { describeDriverConformance } from '@hotline/cti-core/conformance';
import { fakeConformanceContext } from './testing.js';
import { realBoardHarness } from './real-board-harness.js';

// The real addon against the fake libshpa3.so, on analog trunks and on E1 China No.1 trunks.
describeDriverConformance({
  name: 'sanhui on the fake libshpa3.so (analog trunks + stations)',
  setup: async () => fakeConformanceContext('analog*4,user*2', ['answer', 'busy', 'no-answer']),
});

describeDriverConformance({
  name: 'sanhui on the fake libshpa3.so (E1 China No.1)',
  setup: async () => fakeConformanceContext('ss1*30', ['answer', 'busy', 'no-answer', 'unallocated', 'congestion']),
});

// The same suite on a real board when HOTLINE_SANHUI_LIB names a real libshpa3.so.
describeDriverConformance(realBoardHarness());
