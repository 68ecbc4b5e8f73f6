package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/huntbook/huntbook/kernel"
	"github.com/huntbook/huntbook/kernel/interp"
)

func init() {
	register(&command{name: "kernel", summary: "run the Jupyter kernel (Jupyter starts it: kernel -f CONNECTION_FILE)", run: runKernel})
	register(&command{name: "install", summary: "install the KQL kernelspec so Jupyter can find it", run: runInstall})
}

// newEngine is the KQL engine the kernel runs queries with: the embedded
// engine on the built-in sample tenant until a %connect says otherwise.
var newEngine = func() interp.Engine {
	p, err := openProvider(os.Getenv(envProvider), workspacesFromEnv(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "huntbook kernel:", err)
		return brokenEngine{err}
	}
	return interp.NewProviderEngine(p)
}

func runKernel(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook kernel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	connFile := fs.String("f", "", "Jupyter connection file (JSON with ports and key)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook kernel -f CONNECTION_FILE\n\nRuns the Jupyter kernel; Jupyter starts it through the kernelspec 'huntbook install' writes.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *connFile == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	conn, err := kernel.ReadConnectionFile(*connFile)
	if err != nil {
		fmt.Fprintln(stderr, "huntbook kernel:", err)
		return 1
	}
	in := interp.New(newEngine())
	in.Version = version()
	// %connect and %%kql NAME open providers as 'huntbook query' does.
	in.OpenProvider = queryProvider
	k, err := kernel.New(kernel.Config{
		Conn: conn, Interp: in, Log: stderr,
		ImplementationVersion: version(),
		ParentPID:             parentPID(),
	})
	if err != nil {
		fmt.Fprintln(stderr, "huntbook kernel:", err)
		return 1
	}
	// SIGINT interrupts the running cell (as interrupt_request does);
	// SIGTERM shuts down cleanly.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for s := range sigs {
			if s == os.Interrupt {
				k.Interrupt()
			} else {
				k.Shutdown()
			}
		}
	}()
	if _, err := k.Run(context.Background()); err != nil {
		fmt.Fprintln(stderr, "huntbook kernel:", err)
		return 1
	}
	return 0
}

// parentPID is the process whose death ends the kernel: the one Jupyter
// names in JPY_PARENT_PID, else our parent.
func parentPID() int {
	if p, err := strconv.Atoi(os.Getenv("JPY_PARENT_PID")); err == nil && p > 0 {
		return p
	}
	if p := os.Getppid(); p > 1 {
		return p
	}
	return 0
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

var kernelNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func runInstall(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.Bool("user", false, "install for this user (the default)")
	sysPrefix := fs.Bool("sys-prefix", false, "install into the active Python environment (virtualenv, conda, or python3's sys.prefix)")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels")
	name := fs.String("name", "huntbook", "kernelspec `NAME` (letters, digits, . _ -)")
	display := fs.String("display-name", "KQL (huntbook)", "name shown in Jupyter's launcher")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]\n\nWrites kernel.json and logos so 'jupyter kernelspec list' shows the KQL kernel.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "huntbook install: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	chosen := 0
	for _, b := range []bool{*user, *sysPrefix, *prefix != ""} {
		if b {
			chosen++
		}
	}
	if chosen > 1 {
		fmt.Fprintln(stderr, "huntbook install: choose one of --user, --sys-prefix and --prefix")
		return 2
	}
	if !kernelNameRE.MatchString(*name) {
		fmt.Fprintf(stderr, "huntbook install: bad --name %q: use letters, digits, '.', '_' and '-'\n", *name)
		return 2
	}
	var base string
	var err error
	switch {
	case *prefix != "":
		base = filepath.Join(*prefix, "share", "jupyter")
	case *sysPrefix:
		var p string
		if p, err = pythonPrefix(); err == nil {
			base = filepath.Join(p, "share", "jupyter")
		}
	default:
		base, err = jupyterDataDir()
	}
	if err != nil {
		fmt.Fprintln(stderr, "huntbook install:", err)
		return 1
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		fmt.Fprintln(stderr, "huntbook install: cannot find this program's path:", err)
		return 1
	}
	dir := filepath.Join(base, "kernels", *name)
	if err := writeKernelspec(dir, exe, *display); err != nil {
		fmt.Fprintln(stderr, "huntbook install:", err)
		return 1
	}
	fmt.Fprintf(stdout, "Installed kernelspec %s in %s\n", *name, dir)
	return 0
}

// writeKernelspec writes kernel.json and the two logos into dir.
func writeKernelspec(dir, exe, displayName string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	spec := map[string]any{
		"argv":           []string{exe, "kernel", "-f", "{connection_file}"},
		"display_name":   displayName,
		"language":       "kql",
		"interrupt_mode": "message",
		"metadata":       map[string]any{"debugger": false},
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "kernel.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	for _, size := range []int{32, 64} {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("logo-%dx%d.png", size, size)))
		if err != nil {
			return err
		}
		err = png.Encode(f, logo(size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// jupyterDataDir is Jupyter's per-user data folder, as jupyter_core finds it.
func jupyterDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter"), nil
		}
	case "darwin":
		if err == nil {
			return filepath.Join(home, "Library", "Jupyter"), nil
		}
	default:
		if x := os.Getenv("XDG_DATA_HOME"); x != "" {
			return filepath.Join(x, "jupyter"), nil
		}
		if err == nil {
			return filepath.Join(home, ".local", "share", "jupyter"), nil
		}
	}
	return "", fmt.Errorf("cannot find the Jupyter data folder: set JUPYTER_DATA_DIR or use --prefix (%v)", err)
}

// pythonPrefix is the active Python environment's prefix.
func pythonPrefix() (string, error) {
	for _, v := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := os.Getenv(v); p != "" {
			return p, nil
		}
	}
	out, err := exec.Command("python3", "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", errors.New("--sys-prefix: no VIRTUAL_ENV or CONDA_PREFIX and python3 could not tell its sys.prefix; use --prefix DIR")
	}
	return strings.TrimSpace(string(out)), nil
}

// logo draws the kernel's icon, an amber magnifying glass on slate,
// supersampled for smooth edges.
func logo(size int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := [3]float64{0x1e, 0x2a, 0x3a}
	fg := [3]float64{0xf5, 0xa6, 0x23}
	const ss = 4
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var inBg, inFg float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					u := (float64(x) + (float64(sx)+0.5)/ss) / float64(size)
					v := (float64(y) + (float64(sy)+0.5)/ss) / float64(size)
					if roundedSquare(u, v, 0.18) {
						inBg++
						if glass(u, v) {
							inFg++
						}
					}
				}
			}
			n := float64(ss * ss)
			a := inBg / n
			f := 0.0
			if inBg > 0 {
				f = inFg / inBg
			}
			var c [3]uint8
			for i := range c {
				c[i] = uint8(math.Round(bg[i]*(1-f) + fg[i]*f))
			}
			img.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], uint8(math.Round(a * 255))})
		}
	}
	return img
}

func roundedSquare(u, v, r float64) bool {
	dx := math.Max(math.Max(r-u, u-(1-r)), 0)
	dy := math.Max(math.Max(r-v, v-(1-r)), 0)
	return dx*dx+dy*dy <= r*r
}

// glass is a ring (the lens) and a thick diagonal handle.
func glass(u, v float64) bool {
	d := math.Hypot(u-0.42, v-0.42)
	if d >= 0.19 && d <= 0.27 {
		return true
	}
	// Distance from the segment (0.61,0.61)-(0.82,0.82).
	t := math.Max(0, math.Min(1, ((u-0.61)+(v-0.61))/(2*0.21)))
	px, py := 0.61+0.21*t, 0.61+0.21*t
	return math.Hypot(u-px, v-py) <= 0.06
}
