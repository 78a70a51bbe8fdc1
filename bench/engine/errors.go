package engine

import "fmt"

// Kinesis exception names used as Error.Code. The HTTP layer maps each to its status code.
const (
	ErrResourceNotFound   = "ResourceNotFoundException"
	ErrResourceInUse      = "ResourceInUseException"
	ErrInvalidArgument    = "InvalidArgumentException"
	ErrLimitExceeded      = "LimitExceededException"
	ErrThroughputExceeded = "ProvisionedThroughputExceededException"
	ErrExpiredIterator    = "ExpiredIteratorException"
	ErrValidation         = "ValidationException"
	// ErrServiceUnavailable is a storage failure (a full disk, a failed metadata write) that left
	// nothing changed and nothing acknowledged: the call may succeed when retried. The HTTP layer
	// answers it with 503, which AWS SDKs retry.
	ErrServiceUnavailable = "ServiceUnavailable"
)

// Error is an engine error that carries the Kinesis exception name, so the HTTP layer can return
// the exact error type the real service would. Match it with errors.As.
type Error struct {
	Code    string // Kinesis exception name, one of the Err… constants
	Message string // human-readable; names the field, the value and the accepted range
	cause   error  // the underlying error, if any
}

// Unwrap returns the underlying error (for example a *os.PathError with ENOSPC), if any.
func (e *Error) Unwrap() error { return e.cause }

// Retryable reports whether the call may succeed when retried unchanged: a storage failure that
// changed nothing (ServiceUnavailable) or a throttle.
func (e *Error) Retryable() bool {
	return e.Code == ErrServiceUnavailable || e.Code == ErrThroughputExceeded
}

// unavailable wraps a storage failure that left the engine consistent as a retryable
// ServiceUnavailable error.
func unavailable(err error) *Error {
	return &Error{Code: ErrServiceUnavailable, Message: err.Error() + "; nothing was acknowledged, retry later", cause: err}
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
