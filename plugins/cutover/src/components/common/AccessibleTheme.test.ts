import { createTheme, getContrastRatio } from '@material-ui/core/styles';
import { accessibleTheme, MIN_CONTRAST, withContrast } from './AccessibleTheme';

describe('AccessibleTheme', () => {
  it('darkens a color on a light background until it reaches AA contrast', () => {
    // MUI's default green on white: 2.8:1.
    expect(getContrastRatio('#4caf50', '#ffffff')).toBeLessThan(MIN_CONTRAST);
    const fixed = withContrast('#4caf50', '#ffffff');
    expect(getContrastRatio(fixed, '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it('lightens a color on a dark background', () => {
    const fixed = withContrast('#1f5493', '#333333');
    expect(getContrastRatio(fixed, '#333333')).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it('judges a translucent color by what it paints on the background', () => {
    // MUI's secondary text: rgba(0,0,0,0.54) shows as #717171 on #f5f5f5, 4.47:1.
    const fixed = withContrast('rgba(0, 0, 0, 0.54)', '#f5f5f5');
    expect(fixed).not.toBe('rgba(0, 0, 0, 0.54)');
    expect(getContrastRatio(fixed, '#f5f5f5')).toBeGreaterThanOrEqual(MIN_CONTRAST);
    expect(withContrast('rgba(0, 0, 0, 0.87)', '#ffffff')).toBe('rgba(0, 0, 0, 0.87)');
  });

  it('leaves a color that has the contrast already', () => {
    expect(withContrast('#000000', '#ffffff')).toBe('#000000');
  });

  it('gives every intent and secondary text AA contrast on the page and on cards', () => {
    const outer = createTheme({
      palette: {
        background: { default: '#f5f5f5', paper: '#ffffff' },
        text: { secondary: 'rgba(0, 0, 0, 0.54)' },
      },
    });
    const theme = accessibleTheme(outer);
    for (const intent of ['primary', 'secondary', 'error', 'warning', 'info', 'success'] as const) {
      for (const bg of ['#f5f5f5', '#ffffff']) {
        expect(getContrastRatio(theme.palette[intent].main, bg)).toBeGreaterThanOrEqual(MIN_CONTRAST);
        expect(getContrastRatio(theme.palette[intent].dark, bg)).toBeGreaterThanOrEqual(MIN_CONTRAST);
      }
    }
    expect(getContrastRatio(theme.palette.text.secondary, '#f5f5f5')).toBeGreaterThanOrEqual(MIN_CONTRAST);
    expect((theme.overrides?.MuiTypography?.colorTextSecondary as any).color).toBe(
      theme.palette.text.secondary,
    );
    // The rest of the theme is the portal's.
    expect(theme.typography).toBe(outer.typography);
    expect(theme.palette.background).toBe(outer.palette.background);
  });
});
