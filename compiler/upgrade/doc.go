// Package upgrade says where each cluster's blue/green upgrade stands:
// its generations with their versions, roles, weights and EKS support
// dates, the add-on charts that change between blue and green, and what
// the platform team does next. It is a pure function of the model and
// today's date; "platformc upgrade status" prints it.
package upgrade
