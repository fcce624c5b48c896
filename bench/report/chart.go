package main

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

var shapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PyramidGlyph{}}

type series struct {
	name string
	vals map[Key]float64
}

// WriteChart draws two dot plots side by side, one row per case and size:
// gen-FGrad/hand-FGrad per backend, and the speed-up over PyTorch (log
// scale) per backend, as SVG.
func WriteChart(w io.Writer, runs []*Run, torch *Torch) error {
	var keys []Key
	seen := map[Key]bool{}
	var ratio, speed []series
	for _, run := range runs {
		gh := series{run.Label, map[Key]float64{}}
		s1 := series{run.Label + " ÷ torch 1T", map[Key]float64{}}
		sd := series{run.Label + " ÷ torch default", map[Key]float64{}}
		for _, r := range Rows(run, torch) {
			if !seen[r.Key] {
				seen[r.Key] = true
				keys = append(keys, r.Key)
			}
			gh.vals[r.Key] = r.GenHand()
			s1.vals[r.Key] = r.SpeedupOne()
			sd.vals[r.Key] = r.SpeedupDef()
		}
		ratio = append(ratio, gh)
		speed = append(speed, s1)
		if isOpenBLAS(run.Label) {
			speed = append(speed, sd)
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("chart: no benchmark results")
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[len(keys)-1-i] = k.Case + " " + k.Size
	}

	legendRows := max(len(ratio), len(speed))
	left, err := dotPlot("gen-FGrad / hand-FGrad (lower is better)", keys, ratio, false, []float64{1, maxGenHandCase}, legendRows)
	if err != nil {
		return err
	}
	left.NominalY(names...)
	right, err := dotPlot("speed-up over PyTorch (log scale)", keys, speed, true, []float64{1, minSpeedupSmall}, legendRows)
	if err != nil {
		return err
	}
	right.NominalY(names...)
	blank := make([]plot.Tick, len(names))
	for i := range blank {
		blank[i] = plot.Tick{Value: float64(i)}
	}
	right.Y.Tick.Marker = plot.ConstantTicks(blank)

	height := vg.Length(len(keys))*0.26*vg.Inch + 1.6*vg.Inch
	c := vgsvg.New(12*vg.Inch, height)
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{{left, right}}, tiles, dc)
	left.Draw(canvases[0][0])
	right.Draw(canvases[0][1])
	_, err = c.WriteTo(w)
	return err
}

func dotPlot(title string, keys []Key, ss []series, logX bool, refs []float64, legendRows int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Millimeter * 8
	p.Add(plotter.NewGrid())
	n := len(keys)
	lo, hi := math.Inf(1), math.Inf(-1)
	for si, s := range ss {
		var pts plotter.XYs
		for i, k := range keys {
			v, ok := s.vals[k]
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) || (logX && v <= 0) {
				continue
			}
			off := (float64(si) - float64(len(ss)-1)/2) * 0.18
			pts = append(pts, plotter.XY{X: v, Y: float64(n-1-i) + off})
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color = palette[si%len(palette)]
		sc.GlyphStyle.Shape = shapes[si%len(shapes)]
		sc.GlyphStyle.Radius = vg.Points(3)
		p.Add(sc)
		p.Legend.Add(s.name, sc)
	}
	for _, r := range refs {
		l, err := plotter.NewLine(plotter.XYs{{X: r, Y: -0.5}, {X: r, Y: float64(n) - 0.5}})
		if err != nil {
			return nil, err
		}
		l.LineStyle.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		l.LineStyle.Color = color.Gray{Y: 0x80}
		p.Add(l)
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		p.X.Min, p.X.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi*1.2)))
	} else {
		p.X.Min, p.X.Max = math.Min(0, lo), hi*1.08
	}
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4+1.1*float64(legendRows) // room for the legend
	return p, nil
}

// WriteRooflineChart draws, as SVG, one dot plot with a row per case and
// size: the fraction of the roofline (log scale, percent) that gen-F and
// gen-FGrad reach on each backend, with dashed lines at the targets and at
// the roofline itself.
func WriteRooflineChart(w io.Writer, runs []*Run) error {
	var keys []Key
	seen := map[Key]bool{}
	var ss []series
	for _, run := range runs {
		f := series{run.Label + " F", map[Key]float64{}}
		g := series{run.Label + " FGrad", map[Key]float64{}}
		for _, r := range Rows(run, nil) {
			vf, vg := r.RooflineF(), r.RooflineFGrad()
			if math.IsNaN(vf) && math.IsNaN(vg) {
				continue
			}
			if !seen[r.Key] {
				seen[r.Key] = true
				keys = append(keys, r.Key)
			}
			f.vals[r.Key], g.vals[r.Key] = 100*vf, 100*vg
		}
		ss = append(ss, f, g)
	}
	if len(keys) == 0 {
		return fmt.Errorf("roofline chart: no case with a model and measured rates")
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[len(keys)-1-i] = k.Case + " " + k.Size
	}
	p, err := dotPlot("gen time at the roofline / measured gen time, % (log scale; higher is better)", keys, ss, true,
		[]float64{100 * minMemoryRoofline, 100 * minGemmRoofline, 100}, len(ss))
	if err != nil {
		return err
	}
	p.NominalY(names...)
	height := vg.Length(len(keys))*0.26*vg.Inch + 1.6*vg.Inch
	c := vgsvg.New(8*vg.Inch, height)
	tiles := draw.Tiles{Rows: 1, Cols: 1, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	p.Draw(plot.Align([][]*plot.Plot{{p}}, tiles, draw.New(c))[0][0])
	_, err = c.WriteTo(w)
	return err
}
