/**
 * The panel catalog: for each panel of the dashboard, the PromQL it runs, built only from
 * validated parameters with every label value escaped.
 */
export * from './catalog';
export * from './params';
export * from './promql';
export * from './window';
