// Testing Library's DOM matchers on Vitest's expect (vitest.setup.ts installs them at run time).
/// <reference types="@testing-library/jest-dom/vitest" />
