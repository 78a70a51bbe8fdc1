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
)

// Error is an engine error that carries the Kinesis exception name, so the HTTP layer can return
// the exact error type the real service would. Match it with errors.As.
type Error struct {
	Code    string // Kinesis exception name, one of the Err… constants
	Message string // human-readable; names the field, the value and the accepted range
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
