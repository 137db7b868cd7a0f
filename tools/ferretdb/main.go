// Command ferretdb runs an embedded FerretDB v1 (a MongoDB wire-protocol server
// over SQLite) for development, `npm run chat`, `npm start` without MONGODB_URI,
// and the test suite. FerretDB's own cmd/ferretdb panics when installed with
// `go install` (it expects a generated version file), so we embed its library.
//
// Two things a plain FerretDB does not do, and the service needs:
//
//   - One server per data folder. With -lock, the process takes an exclusive
//     flock(2) on the lock file before it opens the SQLite files, and keeps it until
//     it exits. The kernel releases a flock when its process dies however it dies,
//     so a lock left by a crash is never stale: the next server simply takes it.
//     The file's content says who holds it and where it listens, so a second
//     process can use the running server or say clearly why it cannot.
//   - No orphans. With -watch-parent, the server exits when its stdin reaches
//     end-of-file (the parent holds the other end of the pipe; the kernel closes it
//     when the parent dies, even by SIGKILL) or when its parent process changes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Exit codes the Node.js supervisor (src/storage/embedded-ferretdb.ts) understands.
const (
	exitFailed = 1 // could not start or run (port taken, bad data folder…)
	exitUsage  = 2 // bad arguments
	exitLocked = 3 // another live process holds the data folder's lock
)

// heldLock keeps the locked file reachable for the life of the process: an *os.File
// that nothing references is closed by its finalizer at the next garbage collection,
// and closing the descriptor releases the flock.
var heldLock *os.File

// lockInfo is the lock file's content (JSON): who runs the server on this data folder.
type lockInfo struct {
	PID       int    `json:"pid"`
	ParentPID int    `json:"parentPid"`
	State     string `json:"state"` // "starting" or "ready"
	URI       string `json:"uri,omitempty"`
	DataDir   string `json:"dataDir"`
	StartedAt string `json:"startedAt"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (port 0: any free port)")
	dataDir := flag.String("data", "./data/ferretdb", "directory for the SQLite files")
	lockPath := flag.String("lock", "", "lock file: one server per data folder (flock), holder's address inside")
	watchParent := flag.Bool("watch-parent", false, "exit when stdin closes or the parent process changes")
	flag.Parse()

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail(exitUsage, "bad data directory:", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail(exitUsage, "cannot create data directory:", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchParent {
		ctx = exitWithParent(ctx)
	}

	info := lockInfo{PID: os.Getpid(), ParentPID: os.Getppid(), State: "starting", DataDir: abs, StartedAt: time.Now().UTC().Format(time.RFC3339)}
	if *lockPath != "" {
		heldLock = takeLock(*lockPath)
		writeLock(heldLock, info)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fail(exitFailed, "cannot start:", err)
	}

	// MongoDBURI blocks until Run has opened the listener; the parent waits for this line.
	go func() {
		uri := f.MongoDBURI()
		if heldLock != nil {
			info.State, info.URI = "ready", uri
			writeLock(heldLock, info)
		}
		fmt.Println("ready", uri)
	}()

	// A connection stuck in a handler must not keep the process alive after a stop request.
	go func() {
		<-ctx.Done()
		time.Sleep(5 * time.Second)
		fmt.Fprintln(os.Stderr, "ferretdb: did not stop within 5 s; exiting")
		os.Exit(exitFailed)
	}()

	if err := f.Run(ctx); err != nil {
		fail(exitFailed, err)
	}
}

// takeLock opens the lock file and takes an exclusive, non-blocking flock on it. If a
// live process holds it, prints "locked" and the holder's JSON on stdout and exits.
func takeLock(path string) *os.File {
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		fail(exitUsage, "cannot open lock file:", err)
	}
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder, _ := io.ReadAll(file)
			var parsed lockInfo
			if json.Unmarshal(holder, &parsed) != nil {
				holder = []byte("{}")
			}
			fmt.Println("locked", string(holder))
			os.Exit(exitLocked)
		}
		fail(exitFailed, "cannot lock", path+":", err)
	}
	return file // kept open (and locked) until the process exits
}

func writeLock(file *os.File, info lockInfo) {
	data, _ := json.Marshal(info)
	if err := file.Truncate(0); err == nil {
		_, err = file.WriteAt(data, 0)
		if err == nil {
			return
		}
	}
	fmt.Fprintln(os.Stderr, "ferretdb: cannot write the lock file")
}

// exitWithParent returns a context cancelled when stdin reaches EOF or the parent changes.
func exitWithParent(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		fmt.Fprintln(os.Stderr, "ferretdb: stdin closed (parent gone); stopping")
		cancel()
	}()
	ppid := os.Getppid()
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != ppid {
				fmt.Fprintln(os.Stderr, "ferretdb: parent process gone; stopping")
				cancel()
				return
			}
		}
	}()
	return ctx
}

func fail(code int, parts ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"ferretdb:"}, parts...)...)
	os.Exit(code)
}
