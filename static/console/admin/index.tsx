// The calls search and the admin pages, keyed by their hash route ("#/admin/agents"). main.tsx
// imports this module lazily, so the agent's day never loads it; the dashboard in turn loads
// uPlot lazily, so no other page pays for the charts.
import type { FunctionComponent } from "preact";
import "./admin.css";
import { AgentsPage } from "./agents";
import { ApiUsersPage } from "./apiusers";
import { CallsPage } from "./calls";
import { DashboardPage } from "./dashboard";
import { QueuesPage } from "./queues";
import { WebhooksPage } from "./webhooks";

export interface Page {
  title: string;
  /** Shown (and answered by the server) to admins only. */
  admin: boolean;
  component: FunctionComponent;
}

export const pages: Record<string, Page> = {
  calls: { title: "Calls", admin: false, component: CallsPage },
  "admin/agents": { title: "Agents", admin: true, component: AgentsPage },
  "admin/queues": { title: "Queues", admin: true, component: QueuesPage },
  "admin/api-users": { title: "API users", admin: true, component: ApiUsersPage },
  "admin/webhooks": { title: "Webhooks", admin: true, component: WebhooksPage },
  "admin/dashboard": { title: "Dashboard", admin: true, component: DashboardPage },
};
