import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Two shared CPU cores in CI: give async queries more than the default second.
configure({ asyncUtilTimeout: 5000 });
// A test that renders a page and waits on it may take longer than Jest's 5 s when the machine is
// busy (seen: a CI run beside other work); a real hang still fails, at 30 s.
jest.setTimeout(30_000);
