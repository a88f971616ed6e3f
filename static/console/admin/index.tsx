// The admin and calls pages (owner: the ADMIN-UI helper, who replaces this placeholder):
// keyed by hash route ("calls", "admin/agents", …); main.tsx loads this module lazily.
import type { FunctionComponent } from "preact";

export interface Page {
  title: string;
  admin: boolean;
  component: FunctionComponent;
}

export const pages: Record<string, Page> = {};
