# Accuracy vs hidden spikes per neuron as an SVG line chart, one series per
# regularizer (points in the order given, i.e. by γ), for bench/ttfs-sweep.sh.
# Input: TSV lines "series<TAB>x<TAB>y<TAB>label"; -v title=... sets the title.
# Plain awk so that the benchmark needs no plotting library.
BEGIN { FS = "\t"; n = 0 }
{
  s[n] = $1; x[n] = $2 + 0; y[n] = $3 + 0; lab[n] = $4; n++
  if (!($1 in seen)) { seen[$1] = 1; order[ns++] = $1 }
}
END {
  if (n == 0) exit 1
  xmin = 0; xmax = x[0]; ymin = y[0]; ymax = y[0]
  for (i = 0; i < n; i++) {
    if (x[i] > xmax) xmax = x[i]
    if (y[i] < ymin) ymin = y[i]
    if (y[i] > ymax) ymax = y[i]
  }
  xmax = xmax * 1.1; if (xmax <= 0) xmax = 1
  ymin = int(ymin - 1); ymax = int(ymax + 1.999)
  W = 640; H = 420; L = 70; R = 170; T = 40; B = 60
  pw = W - L - R; ph = H - T - B
  color["none"] = "#000000"; color["m-ssr"] = "#1f77b4"
  color["f-ssr"] = "#ff7f0e"; color["membrane"] = "#2ca02c"
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
  printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
  printf "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>\n", L, title
  printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n", L, T, pw, ph
  for (k = 0; k <= 5; k++) {
    xv = xmax * k / 5; px = L + pw * k / 5
    printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", px, T, px, T + ph
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.2f</text>\n", px, T + ph + 18, xv
    yv = ymin + (ymax - ymin) * k / 5; py = T + ph - ph * k / 5
    printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, py, L + pw, py
    printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", L - 6, py + 4, yv
  }
  printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">mean spikes per hidden neuron</text>\n", L + pw / 2, H - 15
  printf "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">test accuracy (%%)</text>\n", T + ph / 2, T + ph / 2
  for (j = 0; j < ns; j++) {
    name = order[j]; c = (name in color) ? color[name] : "#888888"
    # Membrane baselines: greens (causal) or purples (full potential),
    # darker for larger v̂.
    if (name ~ /^membrane/) {
      shade = (name ~ /=0\.9/) ? 3 : (name ~ /=0\.8/) ? 2 : (name ~ /=0\.5/) ? 1 : 0
      split("#a5d6a7 #66bb6a #2e7d32 #1b5e20", green, " ")
      split("#e1bee7 #ba68c8 #8e24aa #4a148c", purple, " ")
      c = (name ~ /^membrane-full/) ? purple[shade + 1] : green[shade + 1]
    }
    pts = ""
    for (i = 0; i < n; i++) if (s[i] == name) {
      px = L + pw * x[i] / xmax; py = T + ph - ph * (y[i] - ymin) / (ymax - ymin)
      pts = pts sprintf("%.1f,%.1f ", px, py)
      printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s %s: %.2f %%, %.3f</title></circle>\n", px, py, c, name, lab[i], y[i], x[i]
    }
    printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", pts, c
    ly = T + 20 + 20 * j
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", L + pw + 15, ly, L + pw + 40, ly, c
    printf "<text x=\"%d\" y=\"%d\">%s</text>\n", L + pw + 46, ly + 4, name
  }
  print "</svg>"
}
