import {
  ArcElement,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

// Only the pieces the dashboard draws are registered, so the rest of Chart.js is left out of the bundle.
Chart.register(
  ArcElement,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#6b7785';
Chart.defaults.maintainAspectRatio = false;

export const CHART_COLORS = {
  brand: '#0f766e',
  brandSoft: 'rgba(15, 118, 110, 0.15)',
  blue: '#0ea5e9',
  violet: '#7c3aed',
  amber: '#f59e0b',
  green: '#16a34a',
  red: '#dc2626',
  slate: '#94a3b8',
};
