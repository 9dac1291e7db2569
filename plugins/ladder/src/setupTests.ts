import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Two shared CPU cores in CI: give async queries more than the default second.
configure({ asyncUtilTimeout: 5000 });
