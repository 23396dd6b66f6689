import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Whole dashboards draw several charts in jsdom; on a busy machine that takes seconds.
configure({ asyncUtilTimeout: 15_000 });
jest.setTimeout(60_000);
