package apptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP is a real SMTP server (go-smtp) on loopback for the e-mail tests:
// STARTTLS with a certificate made for the test, AUTH PLAIN with
// SMTPUser/SMTPPassword required before MAIL, and every message accepted
// kept for the test to parse. Replies can be scripted: Refuse makes the
// next DATA commands fail with the given SMTP answers.
type SMTP struct {
	Addr   string // host:port
	Port   int
	CAFile string // the PEM of the certificate, for email.ca_file

	mu       sync.Mutex
	messages []Received
	refusals []*smtp.SMTPError
	srv      *smtp.Server
}

// The credentials the SMTP server accepts.
const (
	SMTPUser     = "belfry"
	SMTPPassword = "smtp secret"
)

// Received is one accepted message.
type Received struct {
	From string
	To   []string
	Data []byte
}

// NewSMTP starts the server and stops it when the test ends.
func NewSMTP(t testing.TB) *SMTP {
	t.Helper()
	cert, certPEM := testCertificate(t)
	s := &SMTP{CAFile: filepath.Join(t.TempDir(), "smtp-ca.pem")}
	if err := os.WriteFile(s.CAFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // clients hanging up at shutdown are no news
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.srv.ReadTimeout, s.srv.WriteTimeout = Guard, Guard
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr, s.Port = l.Addr().String(), l.Addr().(*net.TCPAddr).Port
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Configure points cfg at the server: STARTTLS, AUTH PLAIN, the test CA.
func (s *SMTP) Configure(cfg *app.EmailConfig) {
	cfg.Host, cfg.Port, cfg.TLS = "127.0.0.1", s.Port, "starttls"
	cfg.Username, cfg.Password, cfg.CAFile = SMTPUser, SMTPPassword, s.CAFile
	cfg.From = "belfry@example.org"
}

// Refuse makes the next len(codes) messages fail at DATA with these SMTP
// codes (451: try later, 550: refused for good).
func (s *SMTP) Refuse(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range codes {
		s.refusals = append(s.refusals, &smtp.SMTPError{Code: c, EnhancedCode: smtp.EnhancedCode{c / 100, 0, 0},
			Message: "scripted refusal " + strconv.Itoa(c)})
	}
}

// Messages returns the messages accepted so far.
func (s *SMTP) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// WaitMessages waits until n messages arrived and returns them.
func (s *SMTP) WaitMessages(t testing.TB, n int) []Received {
	t.Helper()
	WaitFor(t, "messages at the SMTP server", func() bool { return len(s.Messages()) >= n })
	return s.Messages()
}

type smtpSession struct {
	s      *SMTP
	authed bool
	msg    Received
}

func (x *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != SMTPUser || pass != SMTPPassword {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !x.authed {
		return smtp.ErrAuthRequired
	}
	x.msg = Received{From: from}
	return nil
}

func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.msg.To = append(x.msg.To, to)
	return nil
}

func (x *smtpSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if len(x.s.refusals) > 0 {
		err := x.s.refusals[0]
		x.s.refusals = x.s.refusals[1:]
		return err
	}
	x.msg.Data = b.Bytes()
	x.s.messages = append(x.s.messages, x.msg)
	return nil
}

func (x *smtpSession) Reset()        { x.msg = Received{} }
func (x *smtpSession) Logout() error { return nil }

// testCertificate makes a self-signed certificate for 127.0.0.1.
func testCertificate(t testing.TB) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "belfry test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return cert, certPEM
}
