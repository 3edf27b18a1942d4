package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/server"
)

func (c *cli) serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "config file")
	if _, err := parse(fs, args); err != nil {
		return c.fail("serve: %v", err)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return 1
	}
	logger := newLogger(cfg, c.stderr)
	// zitadel/oidc logs through the default logger; make it ours (JSON,
	// same level) so nothing leaves in another format.
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.New(ctx, cfg, server.Options{Logger: logger})
	if err != nil {
		fmt.Fprintln(c.stderr, "authd:", err)
		return 1
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return c.fail("listen %s: %v", cfg.Listen, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go srv.Maintain(ctx)
	go c.reloadOnHUP(ctx, srv, *cfgPath, logger)

	if cfg.Dev {
		fmt.Fprintf(c.stdout, "authd is running in dev mode (no config file).\n\n"+
			"  issuer:     %s\n  client id:  %s\n  test page:  %stest\n  database:   %s\n\n",
			cfg.Issuer, config.DevClientID, cfg.Issuer, cfg.Storage.DSN)
	}
	logger.Info("listening", "addr", ln.Addr().String(), "issuer", cfg.Issuer, "dev", cfg.Dev)
	errc := make(chan error, 1)
	go func() {
		if cfg.TLS.CertFile != "" {
			errc <- hs.ServeTLS(ln, cfg.TLS.CertFile, cfg.TLS.KeyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return c.fail("serve: %v", err)
		}
	case <-ctx.Done():
		// Graceful shutdown: stop accepting, let in-flight requests finish.
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			logger.Error("shutdown", "err", err)
		}
	}
	return 0
}

// reloadOnHUP reloads the actions from the config file on SIGHUP. A
// broken new version is refused; the old one keeps serving.
func (c *cli) reloadOnHUP(ctx context.Context, srv *server.Server, path string, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			cfg, err := loadConfig(path)
			if err == nil {
				err = srv.ReloadActions(cfg)
			}
			if err != nil {
				log.Error("reload refused; the previous actions keep serving", "err", err)
				continue
			}
			log.Info("actions reloaded", "count", len(cfg.Actions.PostLogin))
		}
	}
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch cfg.Log.Level {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.Log.Format
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
