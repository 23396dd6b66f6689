import { readFileSync } from 'node:fs';

/** The parts of a Grafana dashboard's JSON model that the checks read. */
export type DashboardTarget = {
  refId: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
};

export type DashboardPanel = {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
  fieldConfig?: {
    defaults?: {
      unit?: string;
      thresholds?: { steps: { color: string; value: number | null }[] };
      custom?: { stacking?: { mode?: string } };
    };
  };
};

export type DashboardVariable = {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: { type?: string; uid?: string };
};

export type Dashboard = {
  uid: string;
  title: string;
  templating: { list: DashboardVariable[] };
  panels: DashboardPanel[];
};

/** One PromQL query of a dashboard, with the panel it belongs to. */
export type DashboardQuery = { panel: string; refId: string; expr: string };

export function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Every panel, including those inside rows, in order. */
export function allPanels(panels: DashboardPanel[]): DashboardPanel[] {
  return panels.flatMap(panel => [panel, ...allPanels(panel.panels ?? [])]);
}

/** Every PromQL expression of the dashboard's panels. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  return allPanels(dashboard.panels).flatMap(panel =>
    (panel.targets ?? []).flatMap(target =>
      target.expr === undefined
        ? []
        : [{ panel: panel.title, refId: target.refId, expr: target.expr }],
    ),
  );
}

/** The text of a query variable's query (Grafana stores it as a string or an object). */
export function variableQuery(variable: DashboardVariable): string | undefined {
  return typeof variable.query === 'string'
    ? variable.query
    : variable.query?.query;
}

/**
 * Replaces Grafana's template variables in a query, in each of its syntaxes ($name, ${name},
 * ${name:format}, [[name]]), with the values given, so that the result can be parsed as
 * PromQL. Throws naming the variable when one has no value.
 */
export function substituteVariables(
  expr: string,
  values: Record<string, string>,
): string {
  return expr.replace(
    /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (match, braced?: string, bracketed?: string, plain?: string) => {
      const name = (braced ?? bracketed ?? plain) as string;
      const value = values[name];
      if (value === undefined) {
        throw new Error(`no sample value for the variable ${match} in ${expr}`);
      }
      return value;
    },
  );
}
