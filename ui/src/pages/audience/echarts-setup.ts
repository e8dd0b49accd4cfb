// ECharts as the Audience page uses it: the core and only the charts, components and renderer it
// draws with, so the chunk stays a fraction of the full build (loaded only when a chart is shown).
import { GraphChart, LineChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([SankeyChart, GraphChart, LineChart, GridComponent, LegendPlainComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
